#!/usr/bin/env node
'use strict';
require('../dist/shared/cli/main.js').main();
