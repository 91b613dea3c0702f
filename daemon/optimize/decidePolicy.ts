// What happens to a tested proposal, by policy: apply it live, leave it for review, or reject it.
// Pure, so the rule is tested with numbers.

export type Outcome = 'apply' | 'recommend' | 'reject' | 'testing';

export interface PolicyInput {
  /** The experiment's verdict, or 'ship' for changes applied on evidence (test method none). */
  verdict: 'ship' | 'reject' | 'continue';
  confidence: number;
  threshold: number;
  autoApply: boolean;
  /** The change can act through a proxy override (else only a code/config edit can apply it). */
  appliesLive: boolean;
  /** A live split is still collecting. */
  splitRunning?: boolean;
}

export function decideOutcome(input: PolicyInput): Outcome {
  if (input.verdict === 'reject') return 'reject';
  if (input.verdict === 'continue') return input.splitRunning ? 'testing' : 'recommend';
  if (input.appliesLive && input.autoApply && input.confidence >= input.threshold) return 'apply';
  return 'recommend';
}
