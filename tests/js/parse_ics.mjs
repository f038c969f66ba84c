// Parse an iCalendar document from stdin with ical.js and print what a client would resolve,
// as JSON: the calendar's METHOD and name, and per VEVENT its UID, SEQUENCE, text and the
// start/end in UTC. VTIMEZONEs in the file are registered first, as calendar clients do;
// a TZID with no matching VTIMEZONE is reported (it would silently become floating time).
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

const vcalendar = new ICAL.Component(ICAL.parse(text));
const zones = new Set();
for (const vtimezone of vcalendar.getAllSubcomponents("vtimezone")) {
  const zone = new ICAL.Timezone(vtimezone);
  ICAL.TimezoneService.register(zone, vtimezone.getFirstPropertyValue("tzid"));
  zones.add(vtimezone.getFirstPropertyValue("tzid"));
}

const utc = (time) => (time ? time.toJSDate().toISOString() : null);
const events = vcalendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const dtstart = vevent.getFirstProperty("dtstart");
  const tzid = dtstart.getParameter("tzid") || null;
  const geo = vevent.getFirstPropertyValue("geo");
  return {
    uid: event.uid,
    sequence: event.sequence,
    summary: event.summary,
    description: event.description,
    location: event.location,
    status: vevent.getFirstPropertyValue("status"),
    url: vevent.getFirstPropertyValue("url"),
    tzid,
    tzid_known: tzid === null || zones.has(tzid),
    floating: event.startDate.zone === ICAL.Timezone.localTimezone,
    all_day: event.startDate.isDate,
    start_utc: utc(event.startDate),
    end_utc: utc(event.endDate),
    geo,
    organizer: vevent.getFirstPropertyValue("organizer"),
    attendees: vevent.getAllProperties("attendee").map((p) => ({
      value: p.getFirstValue(), cn: p.getParameter("cn"), partstat: p.getParameter("partstat"),
      role: p.getParameter("role"), rsvp: p.getParameter("rsvp"),
    })),
    alarms: vevent.getAllSubcomponents("valarm").map((a) => String(a.getFirstPropertyValue("trigger"))),
  };
});

process.stdout.write(JSON.stringify({
  method: vcalendar.getFirstPropertyValue("method"),
  calname: vcalendar.getFirstPropertyValue("x-wr-calname"),
  timezones: [...zones],
  events,
}));
