/**
 * A small builder of synthetic workflow histories, serialised with the SDK's own
 * `historyToJSON` (the format `temporal workflow show -o json` and `client.ts history`
 * export). Follows what replay needs (shared/notes/temporal.md): core flags on the first
 * WorkflowTaskCompleted, eventTime everywhere, taskQueue and workflowTaskTimeout on the
 * start event, ActivityTaskStarted events, string event ids (historyToJSON writes them).
 *
 * The builder records events; it does not know the workflow. Each fixture script states
 * which commands every workflow task produced, in order, which is exactly what replay
 * checks.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import protoPackage, { type temporal as Proto } from '@temporalio/proto';
import Long from 'long';

// @temporalio/proto is CommonJS whose named exports node cannot detect: take its default export.
const { temporal } = protoPackage as unknown as { temporal: typeof Proto };
const EventType = temporal.api.enums.v1.EventType;
const RetryState = temporal.api.enums.v1.RetryState;
type Event = Proto.api.history.v1.IHistoryEvent;

/** Core SDK internal flags a current worker sets on its first workflow task. */
const CORE_USED_FLAGS = [1, 2, 3];

/** An activity failure as an activity reports it. */
export interface ActivityFailureSpec {
  message: string;
  /** The ApplicationFailure type (the project's error code). */
  type: string;
  nonRetryable?: boolean;
  details?: unknown[];
  retryState?: keyof typeof RetryState;
}

export class HistoryBuilder {
  readonly #events: Event[] = [];
  #time = Date.parse('2026-01-01T00:00:00Z');
  #workflowTaskScheduled = 0;
  #lastCompleted = 0;
  #firstTask = true;

  /** Starts the history with WorkflowExecutionStarted. */
  constructor(workflowType: string, args: unknown[], taskQueue: string) {
    this.#add(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, {
      workflowExecutionStartedEventAttributes: {
        workflowType: { name: workflowType },
        taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        input: { payloads: args.map((arg) => defaultPayloadConverter.toPayload(arg)) },
        workflowTaskTimeout: { seconds: Long.fromNumber(10) },
        originalExecutionRunId: '00000000-0000-4000-8000-000000000001',
        firstExecutionRunId: '00000000-0000-4000-8000-000000000001',
        attempt: 1,
      },
    });
  }

  /**
   * WorkflowTaskScheduled, Started and Completed; returns the Completed event id. With
   * `suggestContinueAsNew` the server tells the workflow its history is getting large.
   */
  workflowTask(options: { suggestContinueAsNew?: boolean } = {}): number {
    this.#workflowTaskScheduled = this.#add(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, {
      workflowTaskScheduledEventAttributes: { taskQueue: { name: 'sticky' }, startToCloseTimeout: { seconds: Long.fromNumber(10) }, attempt: 1 },
    });
    const started = this.#add(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, {
      workflowTaskStartedEventAttributes: {
        scheduledEventId: Long.fromNumber(this.#workflowTaskScheduled),
        identity: 'history-builder',
        ...(options.suggestContinueAsNew === true ? { suggestContinueAsNew: true } : {}),
      },
    });
    this.#lastCompleted = this.#add(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, {
      workflowTaskCompletedEventAttributes: {
        scheduledEventId: Long.fromNumber(this.#workflowTaskScheduled),
        startedEventId: Long.fromNumber(started),
        identity: 'history-builder',
        ...(this.#firstTask ? { sdkMetadata: { coreUsedFlags: CORE_USED_FLAGS, langUsedFlags: [] } } : {}),
      },
    });
    this.#firstTask = false;
    return this.#lastCompleted;
  }

  /** The event of an `upsertSearchAttributes` command (replay compares the command, not the values). */
  upsertSearchAttributes(): this {
    this.#add(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, {
      upsertWorkflowSearchAttributesEventAttributes: { workflowTaskCompletedEventId: this.#completedId(), searchAttributes: { indexedFields: {} } },
    });
    return this;
  }

  /** ActivityTaskScheduled; returns its event id. */
  scheduleActivity(activityId: string, activityType: string, taskQueue: string): number {
    return this.#add(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, {
      activityTaskScheduledEventAttributes: {
        activityId,
        activityType: { name: activityType },
        taskQueue: { name: taskQueue },
        workflowTaskCompletedEventId: this.#completedId(),
        startToCloseTimeout: { seconds: Long.fromNumber(3600) },
        heartbeatTimeout: { seconds: Long.fromNumber(300) },
      },
    });
  }

  /** ActivityTaskStarted then ActivityTaskCompleted with `result`. */
  completeActivity(scheduled: number, result: unknown, attempt = 1): this {
    const started = this.#activityStarted(scheduled, attempt);
    this.#add(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, {
      activityTaskCompletedEventAttributes: {
        scheduledEventId: Long.fromNumber(scheduled),
        startedEventId: Long.fromNumber(started),
        result: { payloads: [defaultPayloadConverter.toPayload(result)] },
      },
    });
    return this;
  }

  /** ActivityTaskStarted then ActivityTaskFailed with an ApplicationFailure. */
  failActivity(scheduled: number, failure: ActivityFailureSpec, attempt = 1): this {
    const started = this.#activityStarted(scheduled, attempt);
    this.#add(EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, {
      activityTaskFailedEventAttributes: {
        scheduledEventId: Long.fromNumber(scheduled),
        startedEventId: Long.fromNumber(started),
        retryState: RetryState[failure.retryState ?? 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED'],
        failure: {
          message: failure.message,
          source: 'TypeScriptSDK',
          applicationFailureInfo: {
            type: failure.type,
            nonRetryable: failure.nonRetryable ?? false,
            details: { payloads: (failure.details ?? []).map((detail) => defaultPayloadConverter.toPayload(detail)) },
          },
        },
      },
    });
    return this;
  }

  /** TimerStarted (the SDK numbers timers 1, 2, ... in order); returns its event id. */
  startTimer(timerId: string, seconds: number): number {
    return this.#add(EventType.EVENT_TYPE_TIMER_STARTED, {
      timerStartedEventAttributes: { timerId, startToFireTimeout: { seconds: Long.fromNumber(seconds) }, workflowTaskCompletedEventId: this.#completedId() },
    });
  }

  /** TimerCanceled for a timer the workflow cancelled. */
  cancelTimer(started: number, timerId: string): this {
    this.#add(EventType.EVENT_TYPE_TIMER_CANCELED, {
      timerCanceledEventAttributes: { timerId, startedEventId: Long.fromNumber(started), workflowTaskCompletedEventId: this.#completedId(), identity: 'history-builder' },
    });
    return this;
  }

  /** TimerFired: the timer ran out before the workflow cancelled it. */
  fireTimer(started: number, timerId: string): this {
    this.#add(EventType.EVENT_TYPE_TIMER_FIRED, { timerFiredEventAttributes: { timerId, startedEventId: Long.fromNumber(started) } });
    return this;
  }

  /** A signal sent to the workflow. */
  signal(name: string, args: unknown[]): this {
    this.#add(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, {
      workflowExecutionSignaledEventAttributes: { signalName: name, input: { payloads: args.map((arg) => defaultPayloadConverter.toPayload(arg)) }, identity: 'operator' },
    });
    return this;
  }

  /** StartChildWorkflowExecutionInitiated then ChildWorkflowExecutionStarted; returns both event ids. */
  startChild(workflowId: string, workflowType: string, taskQueue: string): { initiated: number; started: number } {
    const initiated = this.#add(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED, {
      startChildWorkflowExecutionInitiatedEventAttributes: {
        namespace: 'default',
        workflowId,
        workflowType: { name: workflowType },
        taskQueue: { name: taskQueue },
        workflowTaskCompletedEventId: this.#completedId(),
        parentClosePolicy: temporal.api.enums.v1.ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON,
      },
    });
    const started = this.#add(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED, {
      childWorkflowExecutionStartedEventAttributes: {
        namespace: 'default',
        initiatedEventId: Long.fromNumber(initiated),
        workflowExecution: { workflowId, runId: `00000000-0000-4000-8000-${String(initiated).padStart(12, '0')}` },
        workflowType: { name: workflowType },
      },
    });
    return { initiated, started };
  }

  /** ChildWorkflowExecutionCompleted with `result`. */
  completeChild(child: { initiated: number; started: number }, workflowId: string, workflowType: string, result: unknown): this {
    this.#add(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED, {
      childWorkflowExecutionCompletedEventAttributes: {
        namespace: 'default',
        initiatedEventId: Long.fromNumber(child.initiated),
        startedEventId: Long.fromNumber(child.started),
        workflowExecution: { workflowId, runId: `00000000-0000-4000-8000-${String(child.initiated).padStart(12, '0')}` },
        workflowType: { name: workflowType },
        result: { payloads: [defaultPayloadConverter.toPayload(result)] },
      },
    });
    return this;
  }

  /** WorkflowExecutionCompleted with `result`. */
  completeWorkflow(result: unknown): this {
    this.#add(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, {
      workflowExecutionCompletedEventAttributes: { result: { payloads: [defaultPayloadConverter.toPayload(result)] }, workflowTaskCompletedEventId: this.#completedId() },
    });
    return this;
  }

  /** WorkflowExecutionContinuedAsNew: the run ends and a new run starts with `args`. */
  continueAsNew(workflowType: string, args: unknown[], taskQueue: string): this {
    this.#add(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW, {
      workflowExecutionContinuedAsNewEventAttributes: {
        newExecutionRunId: '00000000-0000-4000-8000-000000000002',
        workflowType: { name: workflowType },
        taskQueue: { name: taskQueue },
        input: { payloads: args.map((arg) => defaultPayloadConverter.toPayload(arg)) },
        workflowTaskTimeout: { seconds: Long.fromNumber(10) },
        workflowTaskCompletedEventId: this.#completedId(),
      },
    });
    return this;
  }

  /** WorkflowExecutionFailed with an ApplicationFailure of `type`. */
  failWorkflow(message: string, type: string): this {
    this.#add(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, {
      workflowExecutionFailedEventAttributes: {
        failure: { message, source: 'TypeScriptSDK', applicationFailureInfo: { type, nonRetryable: true } },
        retryState: RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET,
        workflowTaskCompletedEventId: this.#completedId(),
      },
    });
    return this;
  }

  /** The history as JSON text (what `client.ts history` writes). */
  toJSON(): string {
    return historyToJSON({ events: this.#events });
  }

  #activityStarted(scheduled: number, attempt: number): number {
    return this.#add(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, {
      activityTaskStartedEventAttributes: { scheduledEventId: Long.fromNumber(scheduled), identity: 'history-builder', attempt },
    });
  }

  #completedId(): Long {
    return Long.fromNumber(this.#lastCompleted);
  }

  #add(eventType: Proto.api.enums.v1.EventType, attributes: Partial<Event>): number {
    const eventId = this.#events.length + 1;
    this.#time += 1000;
    this.#events.push({
      eventId: Long.fromNumber(eventId),
      eventTime: { seconds: Long.fromNumber(Math.floor(this.#time / 1000)), nanos: 0 },
      eventType,
      taskId: Long.fromNumber(1_048_576 + eventId),
      ...attributes,
    });
    return eventId;
  }
}
