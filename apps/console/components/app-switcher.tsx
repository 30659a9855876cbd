"use client";

import type { ViewerApp } from "../lib/viewer";

/** The apps the signed-in user belongs to; choosing one switches every page to it. */
export function AppSwitcher({ apps, current, action }: { apps: ViewerApp[]; current: string; action: (form: FormData) => Promise<void> }) {
  return (
    <form action={action} className="inline app-switcher">
      <label htmlFor="app-switcher" className="visually-hidden">
        App
      </label>
      <select id="app-switcher" name="appId" defaultValue={current} data-testid="app-switcher" onChange={(e) => e.currentTarget.form?.requestSubmit()}>
        {apps.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </select>
      <noscript>
        <button type="submit">Switch</button>
      </noscript>
    </form>
  );
}
