/** Where the dashboard lives; `GET /` without a queue and /static/index.html redirect here. */
export const DASHBOARD_PATH = '/dashboard/';
