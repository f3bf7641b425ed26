import { createServer, type Server, type Socket } from "node:net";
import createDebug from "debug";
import { type Endpoint, formatEndpoint } from "./address.js";
import { fromSystemError } from "./errors.js";
import { adoptSocket, tuneSocket } from "./sockets.js";

const debug = createDebug("fwd:core:listen");

export interface ListenOptions extends Endpoint {
  /** Called with each accepted socket: paused, half-open capable, tuned for relaying. */
  onConnection: (socket: Socket) => void;
  /** Pending-connection queue length; the OS default when unset. */
  backlog?: number;
  /** Closing the server when aborted. */
  signal?: AbortSignal;
  /**
   * Move accepted sockets to fwd's own read buffers, for sockets only ever
   * handed to relay(): faster, but they then emit no 'data' (default false;
   * never for TLS, which reads for itself).
   */
  adopt?: boolean;
  /**
   * Looks at each connection before it is prepared; returning false means
   * the callee turned it away (and closed it), so no work is spent on it.
   * @internal
   */
  screen?: (accepted: Socket) => boolean;
}

/**
 * Starts a TCP server and resolves once it listens. Failures to bind reject
 * with an FwdError (ERR_FWD_ADDR_IN_USE, …) naming the address.
 */
export function listen(options: ListenOptions): Promise<Server> {
  const { host, port, onConnection, backlog, signal, adopt = false, screen } = options;
  const where = formatEndpoint({ host, port });
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (accepted) => {
    if (screen && !screen(accepted)) return;
    onConnection(adopt ? adoptSocket(accepted) : tuneSocket(accepted));
  });
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(fromSystemError(err, "listen", where));
    server.once("error", onError);
    server.listen({ host, port, backlog, signal }, () => {
      server.off("error", onError);
      // Accept errors (EMFILE, …) must not crash a running server.
      server.on("error", (err) => debug("server %s: %O", where, err));
      debug("listening on %s", where);
      resolve(server);
    });
  });
}

/**
 * Stops a server from accepting: its listening socket closes at once, so
 * new connections are refused from here on. Connections it accepted go on.
 */
export function stopListening(server: Server): void {
  if (server.listening) server.close();
}
