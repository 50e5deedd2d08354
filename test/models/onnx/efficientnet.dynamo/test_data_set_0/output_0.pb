
BlogitsJ(+Å¤¾Åt°=,ÒK¾IR{¾O*3½ÀŒN>?aÖ=M†½Û;?cÌã½