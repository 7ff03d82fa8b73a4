// The brig-style client commands and the standalone gateway, by name, for main.ts to dispatch.
import type { Command } from '../command.ts';
import { buildsCommand } from './builds.ts';
import { cancelCommand } from './cancel.ts';
import { dashboardCommand } from './dashboard.ts';
import { execCommand } from './exec.ts';
import { gatewayCommand } from './gateway.ts';
import { logsCommand } from './logs.ts';
import { projectCommand } from './project.ts';
import { projectsCommand } from './projects.ts';
import { rerunCommand } from './rerun.ts';

export const commands: Record<string, Command> = {
  exec: execCommand,
  builds: buildsCommand,
  logs: logsCommand,
  project: projectCommand,
  projects: projectsCommand,
  cancel: cancelCommand,
  rerun: rerunCommand,
  dashboard: dashboardCommand,
  gateway: gatewayCommand,
};
