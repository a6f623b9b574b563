-- Numbers every cluster signal (LISTEN/NOTIFY between server nodes) as it is sent. A node that must know it has heard
-- every signal sent before a request arrived (a revoked agent credential is refused at its next request on every
-- node) reads the last number and waits until each number up to it has reached it.
CREATE SEQUENCE signal_number AS bigint;
