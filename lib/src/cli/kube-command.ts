import type { KubeClient } from "../kube/client.js";
import { connect } from "../kube/connect.js";
import type { Command, CommandContext } from "./app.js";
import type { ExitCode } from "./exit-codes.js";

/**
 * A command that talks to the API server, in kubectl's shape: complete() reads the flags into one
 * typed options object (readOptions, before any connection, so a bad value exits 2 without a
 * cluster), then connects; validate() checks the options; run() uses the options and the client,
 * never the raw flags.
 */
export abstract class KubeCommand<O> implements Command {
  protected options!: O;
  protected client!: KubeClient;

  constructor(
    private readonly args: Record<string, unknown>,
    protected readonly ctx: CommandContext,
  ) {}

  protected abstract readOptions(args: Record<string, unknown>, ctx: CommandContext): O;

  async complete(): Promise<void> {
    this.options = this.readOptions(this.args, this.ctx);
    this.client = await connect(this.ctx);
  }

  validate(): void {}

  abstract run(): Promise<ExitCode>;
}
