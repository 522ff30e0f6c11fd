// The panel imports the built @op/contracts through the workspace link; Next compiles it.
/** @type {import('next').NextConfig} */
const nextConfig = {
  transpilePackages: ['@op/contracts'],
  poweredByHeader: false,
  // Specs and the e2e harness (which imports the API's test support) stay out of the app build.
  typescript: { tsconfigPath: 'tsconfig.app.json' },
};

export default nextConfig;
