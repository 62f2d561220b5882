// Times are written in UTC for browsers without scripts; here they become the phone's own time.
document.querySelectorAll("time[data-local]").forEach(function (el) {
  var moment = new Date(el.getAttribute("datetime"));
  if (isNaN(moment)) { return; }
  var options = {weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"};
  if (el.hasAttribute("data-date-only")) { options = {day: "numeric", month: "short", year: "numeric"}; }
  el.textContent = moment.toLocaleString(undefined, options);
});
