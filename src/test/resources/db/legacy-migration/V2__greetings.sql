-- Every greeting served, so the path transport -> event bus -> greeter -> database is real.
CREATE TABLE greetings (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT        NOT NULL,
    transport  TEXT        NOT NULL,
    request_id TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX greetings_created_at_idx ON greetings (created_at);
