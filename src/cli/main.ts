// The podnet command line: up | down | status | node | join | trace | ui for users, server | agent for the processes up starts.
import { Command } from 'commander';
import { upCommand } from './up.js';
import { downCommand } from './down.js';
import { statusCommand } from './status.js';
import { serverCommand } from './server.js';
import { agentCommand } from './agent.js';
import { nodeCommand } from './node.js';
import { traceCommand } from './trace.js';
import { uiCommand } from './ui.js';
import { joinCommand, joinCommandCommand } from './join.js';

const program = new Command('podnet')
  .description('The Kubernetes networking model, for real, on one Linux host: nodes and pods are network namespaces')
  .version('0.1.0')
  .showHelpAfterError()
  .addCommand(upCommand())
  .addCommand(downCommand())
  .addCommand(statusCommand())
  .addCommand(nodeCommand())
  .addCommand(serverCommand())
  .addCommand(agentCommand())
  .addCommand(joinCommand())
  .addCommand(joinCommandCommand())
  .addCommand(traceCommand())
  .addCommand(uiCommand());

await program.parseAsync(process.argv);
