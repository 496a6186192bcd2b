/**
 * In a service started by `toolmesh up` (TOOLMESH_EXIT_WITH_PARENT=<pid>):
 * calls onParentGone when that process is gone, so a killed supervisor
 * leaves no orphaned services.
 */
export function exitWithParent(onParentGone: () => void): void {
  const parent = Number(process.env.TOOLMESH_EXIT_WITH_PARENT);
  if (!Number.isInteger(parent) || parent <= 0) return;
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      clearInterval(timer);
      onParentGone();
    }
  }, 500);
  timer.unref();
}
