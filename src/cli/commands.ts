import type { Command } from "./command.js";
import { checkCommand } from "./commands/check.js";
import { copyCommand } from "./commands/copy.js";
import { evalCommand } from "./commands/eval.js";
import { infoCommand } from "./commands/info.js";
import { indexCommand } from "./commands/index.js";
import { ingestCommand } from "./commands/ingest.js";
import { modelsCommand } from "./commands/models.js";
import { recommendCommand } from "./commands/recommend.js";
import { removeCommand } from "./commands/remove.js";
import { searchCommand } from "./commands/search.js";
import { similarCommand } from "./commands/similar.js";
import { serveCommand } from "./commands/serve.js";
import { trailersCommand } from "./commands/trailers.js";

export type { Command, CommandContext } from "./command.js";

/** Every command, in the order `plotline --help` lists them. */
export const COMMANDS: Command[] = [ingestCommand, trailersCommand, searchCommand, similarCommand, recommendCommand, evalCommand, infoCommand, checkCommand, indexCommand, copyCommand, removeCommand, serveCommand, modelsCommand];
