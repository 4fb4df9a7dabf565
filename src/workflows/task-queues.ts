/**
 * The task queues: CPU workers host workflows and CPU stages; GPU hosts run GPU stages only.
 * No imports, so that command-line code can name the queues without loading Temporal.
 */
export const TASK_QUEUES = { cpu: 'dcsbm-cpu', gpu: 'dcsbm-gpu' } as const;
export type QueueKind = keyof typeof TASK_QUEUES;
