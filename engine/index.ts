// The library API: load playbooks and inventories, run them, and the types involved. No side effects on import.
export { loadPlaybook } from './load/playbook.js';
export { loadInventories } from './load/inventory.js';
export { parseExtraVars } from './load/extra-vars.js';
export { runPlaybooks, type RunResult } from './execute/run.js';
export { createRunContext, type RunInputs } from './execute/defaults.js';
export { runOptions, type RunContext, type RunOptions, type EventSink, type StepAnswer } from './execute/context.js';
export { HostConnections, lazyConnection, transportFor, type Transports } from './connection/factory.js';
export { LocalConnection } from './connection/local.js';
export { SshConnector, type SshOptions } from './connection/ssh/connector.js';
export { createEventBus, createReporters, EventBus, type ReportOptions } from './report/index.js';
export { MODULES } from './modules/registry.js';
export { RingError, RingErrors, EXIT, isRingError, type ErrorCode, type Location } from './errors/index.js';
export type { Playbook, PlayNode, TaskNode, BlockNode, Node, Inventory, InventoryHost, InventoryGroup } from './load/model.js';
export type { Connection, ConnectionFactory, ExecOptions, ExecResult } from './connection/types.js';
export type { RunEvent, HostStats, HostStatus, Reporter } from './report/events.js';
export type { ModuleDefinition, ModuleContext, ModuleResult } from './modules/define.js';
