// ISO 8601 weeks, for moving through the calendar. Which weeks exist is the API's to say;
// this only names them and their days.

const DAY = 86400000;

function weekOfUtcDate(date) {
  const thursday = new Date(date);
  thursday.setUTCDate(date.getUTCDate() + 4 - (date.getUTCDay() || 7));
  const year = thursday.getUTCFullYear();
  const week = Math.ceil(((thursday - Date.UTC(year, 0, 1)) / DAY + 1) / 7);
  return { year, week };
}

export function currentWeek(now = new Date()) {
  return weekOfUtcDate(new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())));
}

export function mondayOf({ year, week }) {
  const january4 = new Date(Date.UTC(year, 0, 4));
  return new Date(january4.getTime() + ((week - 1) * 7 - ((january4.getUTCDay() || 7) - 1)) * DAY);
}

export function shiftWeek(week, by) {
  return weekOfUtcDate(new Date(mondayOf(week).getTime() + by * 7 * DAY));
}

export function sameWeek(a, b) {
  return a.year === b.year && a.week === b.week;
}

export function weekName({ year, week }) {
  return `Week ${week}, ${year}`;
}

export function weekDates(week) {
  const monday = mondayOf(week);
  const sunday = new Date(monday.getTime() + 6 * DAY);
  const format = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
  return `${format.format(monday)} – ${format.format(sunday)}`;
}
