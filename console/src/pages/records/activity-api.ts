import { api, ok, type paths } from '../../api/client.ts';

export type Activity = paths['/activities/{id}']['get']['responses'][200]['content']['application/json'];
export type NewActivity = paths['/activities']['post']['requestBody']['content']['application/json'];

/** Marks an activity done, refused (412) if someone changed it since it was read. */
export function completeActivity(activity: Activity): Promise<Activity> {
  return ok(
    api().PATCH('/activities/{id}', {
      params: { path: { id: activity.id }, header: { 'If-Match': `"${activity.version}"` } },
      body: { status: 'done' },
    }),
  );
}

export function createActivity(body: NewActivity): Promise<Activity> {
  return ok(api().POST('/activities', { body }));
}

/** A `datetime-local` input's value (local time) as an ISO instant. */
export function instantOf(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
