/**
 * What each server spoke last time. In auto mode a client asks v2 first and
 * falls back to legacy when the server breaks off; it remembers that answer
 * per server address, so later connections do not ask again, until the
 * server is unreachable once (it may come back upgraded).
 */
export class ProtocolMemory {
  private readonly legacy = new Set<string>();

  isLegacy(server: string): boolean {
    return this.legacy.has(server);
  }

  markLegacy(server: string): void {
    this.legacy.add(server);
  }

  /** The server was unreachable: ask v2 again next time. */
  forget(server: string): void {
    this.legacy.delete(server);
  }
}

/** One memory per process: every tunnel to the same server shares what it learned. */
export const serverProtocols = new ProtocolMemory();
