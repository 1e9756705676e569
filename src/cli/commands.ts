import type { Command } from "./command.js";
import { infoCommand } from "./commands/info.js";
import { ingestCommand } from "./commands/ingest.js";
import { removeCommand } from "./commands/remove.js";
import { searchCommand } from "./commands/search.js";

export type { Command, CommandContext } from "./command.js";

/** Every command, in the order `plotline --help` lists them. */
export const COMMANDS: Command[] = [ingestCommand, searchCommand, infoCommand, removeCommand];
