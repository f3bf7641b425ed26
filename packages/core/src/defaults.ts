/**
 * Every default of fwd's options, in one place. The command lines show them
 * in seconds; the library takes milliseconds.
 */
export const defaults = {
  /** Give up connecting (TLS included) after this long. */
  connectTimeoutMs: 10_000,
  /** A peer that has not finished its handshake by then is dropped. */
  handshakeTimeoutMs: 10_000,
  /** New connections are turned away while this many handshakes are in progress. */
  maxHandshakes: 256,
  /** The legacy client's wait for a pairing before it registers anew. */
  registerTimeoutMs: 30_000,
  /** A public connection waits this long for a registration. */
  holdTimeoutMs: 10_000,
  /** Public connections waiting per port. */
  maxHeldPerPort: 128,
  /** A waiting registration nothing paired is closed after this long (clients renew sooner). */
  registrationTimeoutMs: 65_000,
  /** Registrations waiting per public port. */
  maxWaitingPerPort: 16,
  /** Registrations waiting on a multi-server in all. */
  maxWaitingTotal: 1024,
  /** An idle public port stays its owner's this long after its last registration and relay. */
  portLingerMs: 1000,
  /** Registrations a multi-client keeps waiting at a fwd (v2) server; a legacy server takes one. */
  v2WaitingRegistrations: 4,
  /** Retry delays after failures: the first, before jitter. */
  backoffInitialMs: 250,
  /** Retry delays after failures: the cap, before jitter. */
  backoffMaxMs: 5000,
  /** The client id the legacy tools sent when none was given. */
  uniqueId: "0000000000000000",
  /** Where public ports are bound when the client leaves it to the server. */
  publicHost: "0.0.0.0",
} as const;
