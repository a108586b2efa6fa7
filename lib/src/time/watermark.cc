// WatermarkTracker is header-only; this file keeps the module's place in the build.
#include "sstream/watermark.h"
