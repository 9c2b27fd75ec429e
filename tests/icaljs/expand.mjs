// Print every occurrence in an iCalendar file, as ical.js reads it, as JSON:
// {"<UID>": ["2025-01-06", "2025-01-07T01:00:00Z", ...], ...}
// All-day occurrences are dates; timed ones are UTC instants.
// Usage: node expand.mjs FEED.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}

function show(time) {
  if (time.isDate) return time.toString();
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

const found = {};
for (const component of calendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(component);
  const list = (found[event.uid] ??= []);
  if (event.isRecurring()) {
    const iterator = event.iterator();
    for (let next = iterator.next(); next; next = iterator.next()) {
      if (next.year > 2100 || list.length > 5000) break;
      list.push(show(next));
    }
  } else {
    list.push(show(event.startDate));
  }
}
process.stdout.write(JSON.stringify(found));
