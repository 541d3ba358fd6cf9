// The lab's public API: others' lab tests build on it. Keep these names and shapes stable.
export { labUp, type LabUpOptions } from './up.js';
export { labDown, labLeftovers } from './down.js';
export { labExec, type LabExecOptions } from './exec.js';
export { readLabInfo, type LabInfo, type LabHostInfo, type ActiveFault } from './state.js';
export { fetchThroughVip, checkRoundRobin } from './health.js';
export { LabError, planLab, validatePrefix, type NatBackend } from './plan.js';
export { injectFault, revertFault, labFaults, type LabFaultSummary, type InjectOptions } from './faults.js';
export { labStatus, type LabStatus } from './status.js';
export { runLabCli } from './cli.js';
export { captureDuring, type CaptureSpec } from './capture.js';
