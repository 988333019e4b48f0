// The files `flotilla metrics config` and `flotilla metrics dashboards` write. The serializer lives in
// core/metrics/files.ts so the daemon, which signs the same files into a cluster's `monitoring`
// config (configure-monitoring), writes exactly what the CLI shows for review.
export { centralFiles, dashboardOutFiles, edgeFiles, filesToStdout, type CentralFilesContext, type EdgeFilesContext, type OutFile } from '../core/metrics/files.js';
