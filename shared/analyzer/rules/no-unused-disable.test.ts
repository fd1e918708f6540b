import { runRuleTests } from '../testing/rule-tester';
import { noUnusedDisable } from './no-unused-disable';

const header = "import Redis from 'ioredis';\nconst redis = new Redis();\n";

// Only this rule runs here, so every directive naming another rule suppresses nothing.
runRuleTests(noUnusedDisable, {
  valid: [
    `${header}await redis.get('k');`,
    { name: 'a file without cache clients is not analysed', code: '// cachescope-disable-next-line require-ttl\nconst map = new Map();' },
    { name: 'directive text inside a string', code: `${header}const help = '// cachescope-disable-next-line require-ttl';` },
  ],
  invalid: [
    {
      code: `${header}// cachescope-disable-next-line require-ttl -- queue, not cache\nawait redis.lpush('queue:emails', 'job');\n`,
      errors: [{ messageId: 'unused', line: 3, column: 1, endLine: 3, endColumn: 64 }],
      output: `${header}await redis.lpush('queue:emails', 'job');\n`,
    },
    {
      code: `${header}await redis.get('k'); // cachescope-disable-line\n`,
      errors: [{ messageId: 'unusedAll', line: 3, column: 23 }],
      output: `${header}await redis.get('k'); \n`,
    },
    {
      code: `/* cachescope-disable require-ttl-jitter */\n${header}await redis.get('k');\n`,
      errors: [{ messageId: 'unused', line: 1, column: 1 }],
      output: `${header}await redis.get('k');\n`,
    },
  ],
});
