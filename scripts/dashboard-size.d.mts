export declare const FIRST_PAGE_BUDGET: number;
export interface DashboardSize {
  firstPage: number;
  firstPageFiles: string[];
  later: Record<string, number>;
}
export declare function dashboardSize(dir: string): DashboardSize;
export declare function describeSize(size: DashboardSize): string;
