// Selects the PostgreSQL read store for the end-to-end suite (jest project e2e-postgres).
process.env.ACCORD_TEST_READ_STORE = 'postgres';
