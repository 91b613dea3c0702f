// Request bodies of the improve API: human decisions on recommendations, and rollback.
import { z } from 'zod';

export const humanDecisionSchema = z.strictObject({
  reason: z.string().max(2000).optional(),
});

export const rollbackRequestSchema = z.strictObject({
  /** The applied recommendation to roll back; the most recently applied one when absent. */
  recommendation_id: z.string().min(1).max(200).optional(),
  reason: z.string().max(2000).optional(),
});

export type HumanDecisionRequest = z.infer<typeof humanDecisionSchema>;
export type RollbackRequest = z.infer<typeof rollbackRequestSchema>;
