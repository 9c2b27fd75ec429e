// Print every occurrence in iCalendar files, as ical.js reads them, as JSON: one
// object per file, in the order given:
// [{"<UID>": ["2025-01-06", "2025-01-07T01:00:00Z", ...], ...}, ...]
// All-day occurrences are dates; timed ones are UTC instants. One process reads
// every file (starting node per feed made the test take minutes).
// Usage: node expand.mjs FEED.ics [FEED.ics ...]
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function show(time) {
  if (time.isDate) return time.toString();
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

function occurrences(text) {
  // each feed on its own: only its VTIMEZONEs are known while it is read
  ICAL.TimezoneService.reset();
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(zone);
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
  return found;
}

const results = process.argv.slice(2).map((path) => occurrences(readFileSync(path, "utf8")));
process.stdout.write(JSON.stringify(results));
