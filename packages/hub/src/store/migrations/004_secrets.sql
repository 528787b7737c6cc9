-- Project secrets (SPEC §7), encrypted at rest with AES-256-GCM. The key is never stored here:
-- it comes from CC_SECRET_KEY or the data directory's key file; key_id (a prefix of its sha256)
-- tells which key a row was encrypted with. The project and name are the cipher's additional
-- authenticated data, so a ciphertext copied to another row fails to decrypt.
CREATE TABLE secrets (
  project     text NOT NULL REFERENCES projects (id),
  name        text NOT NULL,
  version     int  NOT NULL,
  key_id      text NOT NULL,
  iv          bytea NOT NULL,
  ciphertext  bytea NOT NULL,
  tag         bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project, name)
);
