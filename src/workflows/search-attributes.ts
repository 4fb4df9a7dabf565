/**
 * Typed search attributes of experiments. They must be registered on the server
 * (docker-compose.yml does it; for `temporal server start-dev` see docs/operations.md).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The experiment id (also the workflow id). */
export const EXPERIMENT_ID = defineSearchAttributeKey('ExperimentId', SearchAttributeType.KEYWORD);
/** Full config hash (16 hex). */
export const CONFIG_HASH = defineSearchAttributeKey('ConfigHash', SearchAttributeType.KEYWORD);
/** Stages running or waiting now (several when independent stages run in parallel). */
export const EXPERIMENT_STAGE = defineSearchAttributeKey('ExperimentStage', SearchAttributeType.KEYWORD_LIST);
/** `ExperimentStatus` values: running, waiting-for-operator, succeeded, failed, aborted, cancelled. */
export const EXPERIMENT_STATUS = defineSearchAttributeKey('ExperimentStatus', SearchAttributeType.KEYWORD);
/** Set once a stage's summary reports `gate_passed`. */
export const GATE_PASSED = defineSearchAttributeKey('GatePassed', SearchAttributeType.BOOL);

/** Name and server type of every attribute, for registration commands and docs. */
export const SEARCH_ATTRIBUTE_REGISTRATIONS: readonly { name: string; type: 'Keyword' | 'KeywordList' | 'Bool' }[] = [
  { name: EXPERIMENT_ID.name, type: 'Keyword' },
  { name: CONFIG_HASH.name, type: 'Keyword' },
  { name: EXPERIMENT_STAGE.name, type: 'KeywordList' },
  { name: EXPERIMENT_STATUS.name, type: 'Keyword' },
  { name: GATE_PASSED.name, type: 'Bool' },
];
