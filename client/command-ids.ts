/** Command ids contributed in package.json; the editor suite and the commands module share them. */
export const lintWorkspaceCommand = 'cachescope.lintWorkspace';
export const showOutputCommand = 'cachescope.showOutput';
export const restartServerCommand = 'cachescope.restartServer';
export const refreshRedisCommand = 'cachescope.redis.refresh';
export const retryRedisCommand = 'cachescope.redis.retry';
export const openRedisReportCommand = 'cachescope.redis.openReport';
export const forgetRedisPasswordCommand = 'cachescope.redis.forgetPassword';
export const stopDemoRedisCommand = 'cachescope.redis.stopDemo';
export const addRedisConnectionCommand = 'cachescope.redis.addConnection';
export const removeRedisConnectionCommand = 'cachescope.redis.removeConnection';
export const scanWholeKeyspaceCommand = 'cachescope.redis.scanWholeKeyspace';
export const sortRedisBySizeCommand = 'cachescope.redis.sortBySize';
export const sortRedisByTtlCommand = 'cachescope.redis.sortByTtl';
export const loadMoreKeysCommand = 'cachescope.redis.loadMoreKeys';
export const copyKeyNameCommand = 'cachescope.redis.copyKeyName';
export const deleteKeyCommand = 'cachescope.redis.deleteKey';
export const setKeyTtlCommand = 'cachescope.redis.setKeyTtl';
