export { parseSchedule, nextActivation, mostRecentActivation, isKnownTimeZone, CronParseError, type Schedule } from './schedule.js';
