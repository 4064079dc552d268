/*
 * cmd_backup: the `roadshowd backup` command.
 */
#ifndef ROADSHOWD_CMD_BACKUP_H
#define ROADSHOWD_CMD_BACKUP_H

/*
 * roadshowd backup --db FILE OUT: write an online, consistent copy of FILE
 * to OUT (see db_backup()). argv[0] is "backup". Returns the exit status:
 * 0 done, 1 the copy failed, 2 bad arguments.
 */
int svc_cmd_backup(int argc, char **argv);

#endif
