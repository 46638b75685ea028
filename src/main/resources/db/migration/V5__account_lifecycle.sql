-- Account lifecycle (issue 10): proven addresses, accounts an admin switched off, and the
-- single-use recovery codes of the second factor (SHA-256 digests; the codes are shown once).
ALTER TABLE users
    ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN phone_verified BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN disabled       BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE totp_recovery_codes (
    user_id   BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT        NOT NULL,
    used_at   TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

COMMENT ON COLUMN users.disabled IS 'set by an admin: sign-in and every authenticated request answer 403 ACCOUNT_DISABLED';
COMMENT ON COLUMN totp_recovery_codes.code_hash IS 'hex SHA-256 of user id and the normalised code, never the code';

-- No route changes an address yet; whatever path ever does (an operator's UPDATE included), a new
-- address is unproven until a code sent to it comes back.
CREATE FUNCTION users_address_change_unverifies() RETURNS trigger AS $$
BEGIN
    IF lower(NEW.email) IS DISTINCT FROM lower(OLD.email) THEN
        NEW.email_verified := false;
    END IF;
    IF NEW.phone IS DISTINCT FROM OLD.phone THEN
        NEW.phone_verified := false;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER users_address_change_unverifies
    BEFORE UPDATE OF email, phone ON users
    FOR EACH ROW EXECUTE FUNCTION users_address_change_unverifies();
