// Preload (node --require): profiles this process's CPU from its start. SIGUSR2 writes the profile so far
// to $CPU_PROFILE_DIR/<pid>-<ms>.cpuprofile (open it in Chrome's DevTools) and starts a new one.
const inspector = require("node:inspector");
const fs = require("node:fs");
const path = require("node:path");
const session = new inspector.Session();
session.connect();
session.post("Profiler.enable");
session.post("Profiler.setSamplingInterval", { interval: 500 });
session.post("Profiler.start");
process.on("SIGUSR2", () => {
  session.post("Profiler.stop", (err, result) => {
    if (!err) fs.writeFileSync(path.join(process.env.CPU_PROFILE_DIR || ".", `${process.pid}-${Date.now()}.cpuprofile`), JSON.stringify(result.profile));
    session.post("Profiler.start");
  });
});
