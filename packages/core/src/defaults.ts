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
  /**
   * …and while this many from one source are (an IPv4 address or an IPv6
   * /64): a busy client opens a few dozen at once, a flood many more.
   */
  maxHandshakesPerSource: 128,
  /** A user-client makes at most this many links at once; more connections wait for one. */
  maxLinksInFlight: 32,
  /** A connection that has not sent its first byte by then is closed: a silent peer holds a slot. */
  firstByteTimeoutMs: 5000,
  /**
   * Idle v2 links (waiting registrations, links kept ready) send a PING this
   * often, and a peer silent for three intervals is dead: a router that
   * forgot the connection is noticed in about 6 s.
   */
  heartbeatIntervalMs: 2000,
  /** A visitor offered to a registration waits at most this long for its ACCEPT before the next one is tried. */
  pairingConfirmMs: 1500,
  /** Links a user-client keeps ready at least, and at most while connections come fast. */
  readyLinksMin: 2,
  readyLinksMax: 32,
  /** Links kept ready by user-clients, as a server takes them: per source and in all. */
  maxReadyLinksPerSource: 64,
  maxReadyLinks: 1024,
  /** Bytes a visitor may send before it is paired: kept and delivered, then the visitor waits. */
  heldVisitorBytes: 64 * 1024,
  /** The legacy client's wait for a pairing before it registers anew. */
  registerTimeoutMs: 30_000,
  /** A public connection waits this long for a registration. */
  holdTimeoutMs: 10_000,
  /** Public connections waiting per port. */
  maxHeldPerPort: 128,
  /** A waiting registration nothing paired is closed after this long (clients renew sooner). */
  registrationTimeoutMs: 65_000,
  /** Registrations waiting per public port (a client keeps 4, more while visitors come fast). */
  maxWaitingPerPort: 64,
  /** Registrations waiting on a multi-server in all. */
  maxWaitingTotal: 1024,
  /** An idle public port stays its owner's this long after its last registration and relay. */
  portLingerMs: 1000,
  /** Registrations a multi-client keeps waiting at a fwd (v2) server; a legacy server takes one. */
  v2WaitingRegistrations: 4,
  /** Retry delays in an outage: the first, before jitter (the first retry comes within 250 ms). */
  backoffInitialMs: 250,
  /** Retry delays in an outage: the cap, before jitter (a restarted server is found within 1 s). */
  backoffMaxMs: 800,
  /** After this long without the server, retries slow to one per `backoffLongMs`. */
  longOutageMs: 5 * 60_000,
  backoffLongMs: 5000,
  /** The client id the legacy tools sent when none was given. */
  uniqueId: "0000000000000000",
  /** Where public ports are bound when the client leaves it to the server. */
  publicHost: "0.0.0.0",
} as const;
