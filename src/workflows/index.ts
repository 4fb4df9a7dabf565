/**
 * The workflows a worker registers (its `workflowsPath`). Sandbox code only.
 */
export { experimentWorkflow } from './experiment-workflow';
export { sweepWorkflow } from './sweep-workflow';
