import { Duplex } from "node:stream";

/**
 * Two connected in-memory duplex streams: what one writes, the other reads.
 * For driving handshake code without sockets (Node 20 has no duplexPair).
 */
export function duplexPair(): [Duplex, Duplex] {
  const make = (): Duplex & { peer?: Duplex } =>
    new Duplex({
      allowHalfOpen: true,
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        (this as Duplex & { peer?: Duplex }).peer?.push(chunk);
        callback();
      },
      final(callback) {
        (this as Duplex & { peer?: Duplex }).peer?.push(null);
        callback();
      },
    });
  const a = make();
  const b = make();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
