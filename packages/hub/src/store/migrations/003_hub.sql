-- The hub's access control: API tokens (stored hashed), UI sessions, one-time login links, and the
-- audit log of every change and decision.

-- role: viewer | operator | approver | admin. project NULL = every project (hub-wide).
CREATE TABLE tokens (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  role        text NOT NULL,
  project     text REFERENCES projects (id),
  hash        text NOT NULL UNIQUE,   -- sha256 of the token (tokens are 256-bit random values)
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text,
  expires_at  timestamptz,
  revoked_at  timestamptz
);

-- A UI session acts with the rights of the token it was opened with (or of a login link's
-- hub-wide admin when token_id is NULL).
CREATE TABLE sessions (
  hash        text PRIMARY KEY,       -- sha256 of the cookie value
  token_id    uuid,
  name        text NOT NULL,
  role        text NOT NULL,
  project     text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- One-time login links printed by `commandcenter up`.
CREATE TABLE login_codes (
  hash        text PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);

CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,          -- token or session name
  token_id    uuid,
  role        text,
  project     text,
  action      text NOT NULL,          -- e.g. workflow.apply, run.cancel, approval.approve
  target      text,
  ip          text,
  user_agent  text,
  detail      jsonb
);
CREATE INDEX audit_log_project ON audit_log (project, id DESC);
