// Every test file: the AWS SDK's notice that its 2027 releases need Node 22 is not test output.
// (test/cli/bin.test.ts removes the variable for the CLI it starts, to prove the CLI is quiet.)
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
