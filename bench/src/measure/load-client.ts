/** The load-generator process as the bench sees it: started, called, restarted. */
import { fileURLToPath } from "node:url";
import { type ArgsOf, type Child, type ResultOf, startChild } from "../child/rpc.ts";
import type { LoadTasks } from "../processes/load-client.ts";

const script = fileURLToPath(new URL("../processes/load-client.ts", import.meta.url));

export class LoadClient {
  private child: Child<LoadTasks> | undefined;

  static async start(): Promise<LoadClient> {
    const client = new LoadClient();
    client.child = await startChild<LoadTasks>(script);
    return client;
  }

  /**
   * Calls a task; if it fails the process is replaced, since a task that
   * timed out may still be running there and would disturb the next one.
   */
  async call<K extends keyof LoadTasks & string>(
    task: K,
    args: ArgsOf<LoadTasks, K>,
    timeoutMs: number,
  ): Promise<ResultOf<LoadTasks, K>> {
    try {
      return await this.child!.call(task, args, timeoutMs);
    } catch (err) {
      await this.child?.stop();
      this.child = await startChild<LoadTasks>(script);
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.child?.stop();
  }
}
