// The regulators' clients the generator registers and the read benchmark logs in with. One known
// secret for all of them (a benchmark database, not a real one).
export const BENCH_SECRET = process.env.BENCH_CLIENT_SECRET ?? 'bench-reader-secret-123';
export const CITY_CLIENT = 'cl_bench_city';
export const districtClient = (regionCode: string) => `cl_bench_${regionCode}`;
export const DEFAULT_DB = 'hw_city10y';
export const benchDbName = () => process.env.BENCH_DATA_DB ?? DEFAULT_DB;
