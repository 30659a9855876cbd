import type { ActionProblem } from "../lib/template-form";

/** An action's failure, beside the form that caused it: the API's message with its code, reason and field. */
export function ActionProblemNote({ problem }: { problem?: ActionProblem }) {
  if (!problem) return null;
  return (
    <div className="note error" role="alert" data-testid="action-problem" data-reason={problem.reason ?? ""} data-field={problem.field ?? ""}>
      <strong data-testid="problem-message">{problem.message}</strong>
      {(problem.code || problem.reason || problem.field) && (
        <div className="small mono">
          {[problem.code, problem.reason, problem.field && `field: ${problem.field}`].filter(Boolean).join(" · ")}
        </div>
      )}
    </div>
  );
}

export function DoneNote({ done }: { done?: string }) {
  if (!done) return null;
  return (
    <div className="note ok-note" role="status" data-testid="action-done">
      {done}
    </div>
  );
}
