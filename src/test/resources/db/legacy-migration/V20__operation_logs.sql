-- The audit trail (issue 4): every auth event the service publishes on xredline.events.auth.*,
-- written asynchronously in batches. Append-only; newest first by id.
CREATE TABLE operation_logs (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at TIMESTAMPTZ NOT NULL,
    kind        TEXT        NOT NULL CHECK (char_length(kind) BETWEEN 1 AND 64),
    user_id     BIGINT,
    username    TEXT,
    ip          TEXT,
    request_id  TEXT,
    outcome     TEXT,
    details     JSONB       NOT NULL DEFAULT '{}'::jsonb,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX operation_logs_user_id_idx ON operation_logs (user_id, id DESC);
CREATE INDEX operation_logs_username_idx ON operation_logs (lower(username), id DESC);
CREATE INDEX operation_logs_occurred_at_idx ON operation_logs (occurred_at);
