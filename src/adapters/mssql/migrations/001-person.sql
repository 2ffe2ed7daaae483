-- People. The clustered key is an ever-increasing surrogate (seq): random
-- GUIDs as the clustered key would insert all over the B-tree and fragment it.
-- The GUID id is the nonclustered primary key clients see.
CREATE TABLE dbo.person (
  seq         BIGINT IDENTITY(1, 1) NOT NULL,
  id          UNIQUEIDENTIFIER NOT NULL,
  first_name  NVARCHAR(50)  NOT NULL,
  middle_name NVARCHAR(50)  NULL,
  last_name   NVARCHAR(100) NOT NULL,
  suffix      NVARCHAR(20)  NULL,
  create_time DATETIME2(7)  NOT NULL,
  update_time DATETIME2(7)  NULL,
  row_version ROWVERSION    NOT NULL,
  CONSTRAINT person_pk PRIMARY KEY NONCLUSTERED (id),
  CONSTRAINT person_seq UNIQUE CLUSTERED (seq)
);
-- Keyset pagination: (last_name, first_name, id), covering the listed columns.
CREATE INDEX person_by_name ON dbo.person (last_name, first_name, id)
  INCLUDE (middle_name, suffix, create_time, update_time, row_version);
-- Idempotency keys of CreatePerson.
CREATE TABLE dbo.create_request (
  request_id  UNIQUEIDENTIFIER NOT NULL,
  fingerprint VARCHAR(64)      NOT NULL,
  person_id   UNIQUEIDENTIFIER NOT NULL,
  create_time DATETIME2(7)     NOT NULL,
  CONSTRAINT create_request_pk PRIMARY KEY NONCLUSTERED (request_id)
);
