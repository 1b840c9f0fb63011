// Server-side Table printing for the API server (`kubectl get`, `-o wide`, `--show-labels`, `-w`).
export { printTable, printerFor } from './table.js';
export type {
  Table, TableRow, TableCell, TableColumnDefinition, TableRowCondition, PartialObjectMetadata, IncludeObject,
  PrintOptions, KindPrinter,
} from './table.js';
export { humanDuration, translateTimestampSince } from './duration.js';
