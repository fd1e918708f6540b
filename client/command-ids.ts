/** Command ids contributed in package.json; the editor suite and the commands module share them. */
export const lintWorkspaceCommand = 'cachescope.lintWorkspace';
export const showOutputCommand = 'cachescope.showOutput';
export const restartServerCommand = 'cachescope.restartServer';
