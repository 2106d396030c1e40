"""较上期: which earlier state the data is compared with (by round, else an earlier
reporting date, else the previous version) and the figures compared: the completion
rate, the counts beside it and the 督办 colour counts."""
