-- Accounts: roles for authorisation (lock-status by admins), the TOTP switch, and the
-- username rule enforced by the database too, so no path can store a name the API would refuse.
ALTER TABLE users
    ADD COLUMN roles        TEXT[]  NOT NULL DEFAULT ARRAY['user']::TEXT[],
    ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT false,
    ADD CONSTRAINT users_username_format CHECK (username ~ '^[A-Za-z][A-Za-z0-9_]{2,31}$'),
    ADD CONSTRAINT users_totp_needs_secret CHECK (NOT totp_enabled OR totp_secret IS NOT NULL);

COMMENT ON COLUMN users.totp_secret IS 'AES-256-GCM ciphertext (v1:base64(nonce|ciphertext|tag)), never the clear secret';
COMMENT ON COLUMN users.password_hash IS 'argon2id PHC string';
