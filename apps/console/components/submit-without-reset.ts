import { startTransition, type FormEvent } from "react";

/**
 * A form `action` resets the form's fields once it completes, which would throw away an editor's
 * typing when the API refuses it. Submitting by hand keeps the fields as typed.
 */
export function submitWithoutReset(dispatch: (form: FormData) => void) {
  return (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    startTransition(() => dispatch(form));
  };
}
